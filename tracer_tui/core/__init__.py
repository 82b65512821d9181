"""Domain core: types, identifiers, rules, questionnaires.

This package imports only the standard library, pydantic, python-stdnum and phonenumbers;
`tests/test_layers.py` enforces it.
"""
