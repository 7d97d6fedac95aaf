import Testing

/// Every language test lives in this suite, one nested suite per idea. It runs serially
/// because interpreters share process-wide state: the Ctrl-C flag (`Interrupt`, which the
/// fuzz test raises to stop runaway programs) and the seeded random generator.
@Suite(.serialized)
enum LanguageTests {}
