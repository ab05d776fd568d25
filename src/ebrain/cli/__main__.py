"""`python -m ebrain.cli`."""

from ebrain.cli.main import main

main()
