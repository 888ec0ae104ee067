"""The pages reached from the navigation bar of the main window."""
