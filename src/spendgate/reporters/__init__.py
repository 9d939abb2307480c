"""Reporters: turn results (data) into text for people and machines. One module per format."""
