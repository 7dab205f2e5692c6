"""What every layer shares: problems with user input, atomic file writes, figures in words."""
