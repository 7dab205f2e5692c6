"""The interactive scenario explorer: ipywidgets in JupyterLab, or served by Voila."""
