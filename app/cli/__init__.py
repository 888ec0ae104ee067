"""The assay command line: thin parsers that call services and print text or JSON."""
