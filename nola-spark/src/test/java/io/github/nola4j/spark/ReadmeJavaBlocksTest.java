package io.github.nola4j.spark;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Java block of the README compiles as a user copies it: its own import lines, then the code,
 * with the values that a {@code // given: Type name, ...} line names as the parameters of the method
 * it is compiled in (the user's own data and models). Compiled against this module's test class
 * path, which holds every nola4j module a user can depend on (layers, zoo, spark).
 */
class ReadmeJavaBlocksTest {

    private static final Path README = Path.of("../README.md");

    /** One ```java block: its line in the README and its lines. */
    record Block(int line, List<String> lines) {
    }

    static List<Block> javaBlocks() throws IOException {
        List<String> readme = Files.readAllLines(README, StandardCharsets.UTF_8);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < readme.size(); i++) {
            if (readme.get(i).trim().equals("```java")) {
                int end = i + 1;
                while (!readme.get(end).trim().equals("```")) {
                    end++;
                }
                blocks.add(new Block(i + 1, readme.subList(i + 1, end)));
                i = end;
            }
        }
        return blocks;
    }

    @TestFactory
    Stream<DynamicTest> everyJavaBlockCompilesWithItsImports() throws IOException {
        List<Block> blocks = javaBlocks();
        assertTrue(blocks.size() >= 5, "README.md has " + blocks.size() + " java blocks; expected at least 5");
        return blocks.stream().map(b -> DynamicTest.dynamicTest("README.md line " + b.line(), () -> compile(b)));
    }

    private static void compile(Block b) {
        List<String> imports = b.lines().stream().filter(l -> l.startsWith("import ")).toList();
        assertFalse(imports.isEmpty(), "README.md line " + b.line() + ": a Java block without imports");
        String given = b.lines().stream().filter(l -> l.startsWith("// given: ")).map(l -> l.substring(10))
                .findFirst().orElse("");
        String body = b.lines().stream().filter(l -> !l.startsWith("import ") && !l.startsWith("// given: "))
                .collect(Collectors.joining("\n"));
        String className = "ReadmeBlockAtLine" + b.line();
        String source = String.join("\n", imports) + "\n\nclass " + className + " {\n"
                + "    static void run(" + given + ") throws Exception {\n" + body + "\n    }\n}\n";
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///" + className + ".java"),
                    JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return source;
                }
            };
            Path out = Files.createTempDirectory("readme-block");
            List<String> options = List.of("-classpath", classPath(), "-d", out.toString(), "-proc:none",
                    "-Xlint:none");
            boolean ok = javac.getTask(null, files, diagnostics, options, null, List.of(unit)).call();
            String errors = diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                    .map(d -> "line " + d.getLineNumber() + ": " + d.getMessage(null)).collect(Collectors.joining("\n"));
            assertTrue(ok, "README.md line " + b.line() + " does not compile as shown:\n" + errors + "\n--- as compiled:\n"
                    + source);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** @return the class path the tests run with (surefire's, not its booter jar's) */
    private static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }
}
