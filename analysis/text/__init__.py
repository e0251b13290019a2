"""Text primitives every extractor shares: tokens, sentences, lines, the phrase matcher, page furniture."""
