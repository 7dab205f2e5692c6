"""Reporting: the files a run leaves, the manifest, the workbook, HTML/PDF papers, the batch."""
