import Foundation
import TensorEngine

/// The training state's two files: `training_state.safetensors` holds the moments
/// (`<parameter>.m`, `<parameter>.v`), `training_state.json` the step, hyperparameters and
/// `info`. Both carry the id of the save they belong to, which must be the model file's.
extension TrainingState {
  static let tensorsFile = "training_state.safetensors"
  static let jsonFile = "training_state.json"

  /// Checks the moments against the parameters they belong to.
  func validate(against shapes: [String: [Int]], file: String) throws {
    guard step >= 0 else { throw ModelError("\(file): step \(step) is negative") }
    for (name, (m, v)) in moments.sorted(by: { $0.key < $1.key }) {
      guard let shape = shapes[name] else { throw ModelError("\(file): moments for \(name), which is not a parameter of the model") }
      for (which, t) in [("m", m), ("v", v)] where t.shape != shape {
        throw ModelError("\(file): tensor \(name).\(which) has shape \(formatShape(t.shape)), its parameter has \(formatShape(shape))")
      }
    }
  }

  func files(checkpointID: String) throws -> (tensors: Data, json: Data) {
    var tensors: [(name: String, tensor: Tensor)] = []
    for (name, (m, v)) in moments.sorted(by: { $0.key < $1.key }) {
      tensors.append((name + ".m", m))
      tensors.append((name + ".v", v))
    }
    let data = try SafeTensorsFile(tensors: tensors, metadata: ["checkpoint_id": checkpointID]).encoded()
    func decimal(_ x: Float) -> Double { Double("\(x)") ?? Double(x) }
    let json: [String: Any] = [
      "optimizer": "AdamW", "step": step, "learning_rate": decimal(learningRate), "beta1": decimal(beta1),
      "beta2": decimal(beta2), "epsilon": decimal(epsilon), "info": info, "checkpoint_id": checkpointID,
    ]
    return (data, try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys]))
  }

  /// Reads the two files; `checkpointID` is the model file's, which they must share.
  static func read(directory: String, checkpointID: String?) throws -> TrainingState {
    let jsonPath = directory + "/" + jsonFile, tensorsPath = directory + "/" + tensorsFile
    guard FileManager.default.fileExists(atPath: tensorsPath) else {
      throw ModelError("\(tensorsPath): missing (\(jsonFile) is there; both hold the training state)")
    }
    guard let data = FileManager.default.contents(atPath: jsonPath),
      let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    else { throw ModelError("\(jsonPath): not a JSON object (is the file truncated?)") }
    func number(_ key: String) throws -> Double {
      guard let n = root[key] as? Double else { throw ModelError("\(jsonPath): no number \"\(key)\"") }
      return n
    }
    guard let step = root["step"] as? Int else { throw ModelError("\(jsonPath): no integer \"step\"") }
    if let optimizer = root["optimizer"] as? String, optimizer != "AdamW" {
      throw ModelError("\(jsonPath): the state of optimizer \"\(optimizer)\"; llmlab saves and restores AdamW's")
    }
    let file = try SafeTensorsFile(contentsOf: tensorsPath)
    if let checkpointID {
      for (path, id) in [(jsonPath, root["checkpoint_id"] as? String), (tensorsPath, file.metadata["checkpoint_id"])] where id != checkpointID {
        throw ModelError("\(path): belongs to another save than model.safetensors (an interrupted save?); delete the training state or save again")
      }
    }
    let byName = Dictionary(file.tensors.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
    var moments: [String: (m: Tensor, v: Tensor)] = [:]
    for (name, _) in file.tensors {
      guard name.hasSuffix(".m") || name.hasSuffix(".v") else {
        throw ModelError("\(tensorsPath): tensor \(name) is neither a first moment (.m) nor a second (.v)")
      }
      let parameter = String(name.dropLast(2))
      guard moments[parameter] == nil else { continue }
      guard let m = byName[parameter + ".m"], let v = byName[parameter + ".v"] else {
        throw ModelError("\(tensorsPath): \(parameter) has only one of its moments (.m and .v go together)")
      }
      moments[parameter] = (m, v)
    }
    return TrainingState(
      step: step, learningRate: Float(try number("learning_rate")), beta1: Float(try number("beta1")),
      beta2: Float(try number("beta2")), epsilon: Float(try number("epsilon")), moments: moments,
      info: root["info"] as? [String: String] ?? [:])
  }
}
