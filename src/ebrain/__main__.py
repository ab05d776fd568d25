"""`python -m ebrain`."""

from ebrain.cli.main import main

main()
