"""`python -m service` runs the `planreview` command line."""

from service.cli import main

main()
