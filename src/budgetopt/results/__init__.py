"""Results: money rounded to whole pounds once, and every table summed from those cells."""
