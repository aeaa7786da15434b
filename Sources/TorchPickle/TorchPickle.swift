// TorchPickle: reading PyTorch pytorch_model.bin checkpoints without executing code (see its files).
