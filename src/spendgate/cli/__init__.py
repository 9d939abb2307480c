"""The command line: click only. Parses options, calls the core, prints, picks the exit code."""
