import Testing

@Suite("Records index and slice like lists")
struct RecordSliceTests {
  @Test("r[i] is a record value, r[a:b] records again; bad indices are located errors")
  func slices() {
    let out = transcript(
      of: """
        let t = poem_tasks(corpus("tang300"))
        print(t.prompts[0:3])
        print(t.heldout[-1] == t.heldout.record(t.heldout.size - 1))
        t.prompts[5:2]
        """, name: "slices.llm")
    #expect(out.contains("records poem_prompts: 3 chat records"))
    #expect(out.contains("true"))
    #expect(out.contains("slices.llm:4:1: error: the slice of poem_prompts holds no records"))
    let outOfRange = transcript(of: "let t = poem_tasks(corpus(\"tang300\"))\nt.train[100000]\n", name: "index.llm")
    #expect(outOfRange.contains("index.llm:2:1: error: index 100000 is out of range"))
  }
}
