"""What a run hands to people and tools: exports, status, evaluation, the report."""
