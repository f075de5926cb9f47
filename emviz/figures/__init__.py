"""What the user sees, as pure data: Plotly figures, geometry of ellipses and
ellipsoids, formulas, exports and the browser stepper's payloads."""
