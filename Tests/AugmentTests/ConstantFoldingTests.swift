import Augment
import Testing

@Suite struct ConstantFoldingTests {
  @Test(arguments: [
    ("x = 60 * 60 * 1000;", "x = 3600000;"),
    ("x = \"a\" + 1 + 2;", "x = \"a12\";"),
    ("x = 1 + 2 + \"a\";", "x = \"3a\";"),
    ("x = 'v' + 0.1 * 3;", "x = 'v0.30000000000000004';"),
    ("x = 1 / 0;", "x = (1/0);"),
    ("x = 0 / 0;", "x = (0/0);"),
    ("x = 0 * -1;", "x = (-0);"),
    ("x = 2 - 7;", "x = (-5);"),
    ("x = 2 ** 53 + 1;", "x = 9007199254740992;"),
    ("x = 1e21 + \"\";", "x = \"1e+21\";"),
    ("x = \"abc\" < \"abd\";", "x = true;"),
    ("x = \"10\" < 9;", "x = \"10\" < 9;"),
    ("x = null == void 0;", "x = true;"),
    ("x = 1 === 1.0;", "x = true;"),
    ("x = typeof \"s\";", "x = \"string\";"),
    ("x = typeof null;", "x = \"object\";"),
    ("x = 0 || \"fallback\";", "x = \"fallback\";"),
    ("x = null ?? 0;", "x = 0;"),
    ("x = 1 << 31;", "x = (-2147483648);"),
    ("x = -1 >>> 0;", "x = 4294967295;"),
    ("x = ~5;", "x = (-6);"),
    ("x = !0;", "x = true;"),
    ("x = (1 + 2).toFixed(1);", "x = (3).toFixed(1);"),
    ("x = 7 % -3;", "x = 1;"),
    ("x = \"t\" + true + null;", "x = \"ttruenull\";"),
    ("x = -5;", "x = -5;"),
    ("x = a + 1 * 2;", "x = a + 2;"),
    ("x = 10n * 2n;", "x = 10n * 2n;"),
    ("x = 'a' + 'b';", "x = 'ab';"),
    ("if (2 == 2) f();", "if (true) f();"),
    ("while (!!true) f();", "while (true) f();"),
    ("(void 0)[1] = 2;", "(void 0)[1] = 2;"),
    ("x = (2 - 7) * 2;", "x = (-10);"),
    ("x = t * (60 * 1000);", "x = t * 60000;"),
    ("x = a-(0 - 3);", "x = a-(-3);"),
    ("x = ((1 + 1));", "x = 2;"),
    ("x = f((2 + 3), (y));", "x = f(5, (y));"),
    ("switch (1 + 1) {}", "switch (2) {}"),
  ])
  func folds(input: String, expected: String) throws {
    #expect(try applying(ConstantFolding(), to: input) == expected)
  }

  @Test func leavesTypesAlone() throws {
    let src = "let x: -1 = -1; const y = 1 + 1;"
    #expect(try applying(ConstantFolding(), to: src, language: .typescript) == "let x: -1 = -1; const y = 2;")
  }
}
