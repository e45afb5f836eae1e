"""The wizard with no UI in it: the run context, the secrets with their sources, each step's
draft and findings, and the operations every face drives."""
