"""Models arrive with their issue; the app is installed so its URLs and templates have a home."""
