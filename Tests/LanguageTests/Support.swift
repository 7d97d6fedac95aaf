import Foundation
import Language
import Runtime
import Testing
