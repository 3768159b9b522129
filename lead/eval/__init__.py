"""Evaluation harness: the paper's protocol (Sober Reasoning settings) on five math benchmarks.

``lead-eval MODEL`` generates n samples per problem (vLLM or transformers), grades them with
``lead.reward``, logs every sample to a resumable JSONL file and reports pass@1, pass@k, response
length, truncation and the Accuracy-Efficiency Score; ``lead-eval compare`` tabulates and plots.
"""
