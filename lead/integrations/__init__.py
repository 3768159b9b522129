"""Adapters that plug the LEAD core into training frameworks."""
