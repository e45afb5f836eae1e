"""The six steps of the notebook face, one module each, on `base.Step`."""
