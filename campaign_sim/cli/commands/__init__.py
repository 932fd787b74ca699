"""One module per group of commands; each imports the heavy libraries only when it runs."""
