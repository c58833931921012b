"""Full text of pages: OCR rules, the OCR job, ALTO storage and the reading side (ALTO, words with boxes)."""
