// Errors of a training run. Messages name the option (by its training_args.json key) and the
// value; the command line adds the flag that sets it.

public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// An option out of range, or one the model cannot take.
    case invalidOption(TrainOptions.Problem)
    /// The loss stopped being a finite number.
    case diverged(step: Int, loss: Float)
    /// A checkpoint's position is not one this run's plan reaches.
    case positionMismatch(String)
    /// The encoder's products have no backward in this precision (int8 is for inference).
    case precisionCannotTrain(String)

    public var description: String {
        switch self {
        case let .invalidOption(p): return "\(p.key.rawValue) \(p.message)"
        case let .diverged(step, loss):
            return "the loss became \(loss) at step \(step); lower the learning rate or check the corpus"
        case let .positionMismatch(reason): return reason
        case let .precisionCannotTrain(p):
            return "precision \(p) is for inference (encode, eval, index, search, serve); train in fp32 or bf16"
        }
    }
}
