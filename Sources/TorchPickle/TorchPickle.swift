// TorchPickle: reading PyTorch pytorch_model.bin checkpoints without executing code.
//
//   TorchCheckpoint.swift        the public reader: open, validate, list tensors, read values
//   SafeTensorsConversion.swift  writing a checkpoint out as model.safetensors
//   ZipArchive.swift, CRC32.swift  the ZIP container torch.save writes (stored entries, ZIP64)
//   Unpickler.swift, PickleValue.swift  the restricted pickle machine and its values
//   TensorCopy.swift             strided gathers and F16/BF16 widening
//   TorchPickleError.swift       one error case per way a file can be wrong or unsafe
