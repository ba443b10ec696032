"""Stub filling: find stub bodies and propose code for them."""
