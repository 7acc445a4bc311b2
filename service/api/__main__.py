"""`python -m service.api [--host …] [--port …]`: the same as `planreview serve`."""

import typer

from service.cli.serve import command

if __name__ == "__main__":
    typer.run(command)
