"""The logic behind the nox sessions, one module per component (noxfile.py only lists them)."""
