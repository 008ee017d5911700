"""Search reports: what a fast-retrieval case found (queries run, cited patents, the conclusion)."""
