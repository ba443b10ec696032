"""Training the embedded default model: corpus, tokenizer, FIM data, training loop.

Every module here imports torch, transformers and tokenizers inside its functions only,
so that importing the package (and ``santamerge.cli``) stays free of them.
"""
