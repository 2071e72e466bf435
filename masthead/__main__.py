"""`python -m masthead` is the `masthead` command."""

from masthead.cli import main

if __name__ == "__main__":
    main()
