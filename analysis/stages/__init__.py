"""One module per DVC stage, named as in dvc.yaml: read, call the extractors, frame, validate, write."""
