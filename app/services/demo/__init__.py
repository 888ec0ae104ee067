"""The demo workspace: a fictitious insurer's AI estate, assessed, with its reports."""
