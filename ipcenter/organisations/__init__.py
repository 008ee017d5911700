"""Organisations: enterprises, demonstration units and the center's posts."""
