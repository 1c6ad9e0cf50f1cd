"""Reading the NIK off an e-KTP held to the webcam: ``reader`` (the OCR), ``text`` (what counts as read), ``watch`` (live)."""
