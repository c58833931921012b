"""Long-term preservation: the OCFL store, its replica, fixity audits, PREMIS and format risks."""
