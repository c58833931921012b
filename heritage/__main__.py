"""`python -m heritage` is the `heritage` command."""

from heritage.cli import main

main()
