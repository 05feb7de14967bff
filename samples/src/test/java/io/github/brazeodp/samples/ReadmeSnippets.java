package io.github.brazeodp.samples;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles the ```java blocks of a Markdown file. Each block becomes the body of a method in its
 * own class, with on-demand imports of every SDK package (internal ones excepted) and the JDK
 * packages the README uses, and with the README's free variables (API keys, a client, a store, the
 * ports, a logger) declared as fields, so a block reads like an excerpt of an application. Lines
 * starting with {@code import} are hoisted, so a block can settle an ambiguous simple name itself.
 */
final class ReadmeSnippets {
  /** One ```java block and the README line of its first code line. */
  record Block(int line, String code) {}

  private static final List<String> JDK_PACKAGES =
      List.of("java.io", "java.nio.file", "java.time", "java.util", "java.util.function");

  /** What the snippets use without declaring: the values an application has at hand. */
  private static final String FREE_VARIABLES =
      """
        String brazeKey, odpKey, token;
        OdpClient odpClient, odp;
        io.github.brazeodp.sync.adapter.OdpClientGateway odpClientGateway;
        io.github.brazeodp.sync.activation.ActivationRunner runner;
        io.github.brazeodp.sync.activation.Activation purchases;
        SyncStateStore store;
        BrazeGateway brazeGateway;
        OdpGateway odpGateway;
        org.slf4j.Logger log;
        java.util.Map<String, java.util.List<String>> headers;
        byte[] body;
        void process(Object value) {}
      """;

  private ReadmeSnippets() {}

  static List<Block> extract(String markdown) {
    List<Block> blocks = new ArrayList<>();
    String[] lines = markdown.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (!lines[i].strip().equals("```java")) {
        continue;
      }
      int start = i + 1;
      StringBuilder code = new StringBuilder();
      int j = start;
      while (j < lines.length && !lines[j].strip().startsWith("```")) {
        code.append(lines[j]).append('\n');
        j++;
      }
      if (j == lines.length) {
        throw new IllegalArgumentException("```java block at line " + (start) + " is not closed");
      }
      blocks.add(new Block(start + 1, code.toString()));
      i = j;
    }
    return blocks;
  }

  /** Returns one message per compile error, naming the README line; empty when all compile. */
  static List<String> compile(List<Block> blocks, String classpath, Path output) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    String imports = imports(classpath);
    List<JavaFileObject> units = new ArrayList<>();
    List<Integer> headerLines = new ArrayList<>();
    for (Block b : blocks) {
      StringBuilder hoisted = new StringBuilder();
      StringBuilder body = new StringBuilder();
      for (String line : b.code().split("\n", -1)) {
        // A hoisted import leaves a blank line behind, so body line numbers stay those of the
        // README.
        boolean isImport = line.startsWith("import ");
        hoisted.append(isImport ? line + "\n" : "");
        body.append(isImport ? "" : line).append('\n');
      }
      String header =
          "package readme;\n"
              + imports
              + hoisted
              + "@SuppressWarnings(\"all\")\nclass Block"
              + b.line()
              + " {\n"
              + FREE_VARIABLES
              + "  void run() throws Exception {\n";
      headerLines.add((int) header.lines().count());
      String source = header + body + "  }\n}\n";
      units.add(source("readme/Block" + b.line() + ".java", source));
    }
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files =
        javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      Files.createDirectories(output);
      List<String> options =
          List.of("-proc:none", "-classpath", classpath, "-d", output.toString(), "-Xlint:none");
      javac.getTask(null, files, diagnostics, options, null, units).call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> errors = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
      if (d.getKind() != Diagnostic.Kind.ERROR) {
        continue;
      }
      String name = d.getSource() == null ? "" : d.getSource().getName();
      int index = -1;
      for (int i = 0; i < blocks.size(); i++) {
        if (name.endsWith("Block" + blocks.get(i).line() + ".java")) {
          index = i;
        }
      }
      if (index < 0) {
        errors.add(d.getMessage(Locale.ROOT));
        continue;
      }
      Block b = blocks.get(index);
      long readmeLine = b.line() + d.getLineNumber() - headerLines.get(index) - 1;
      errors.add(
          "README.md line "
              + readmeLine
              + " (```java block at line "
              + b.line()
              + "): "
              + d.getMessage(Locale.ROOT));
    }
    return errors;
  }

  /** The classpath the tests run with (surefire hides it behind a manifest-only jar). */
  static String testClasspath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null ? surefire : System.getProperty("java.class.path");
  }

  private static String imports(String classpath) {
    Set<String> packages = new TreeSet<>(JDK_PACKAGES);
    for (String entry : classpath.split(File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      Path path = Path.of(entry);
      if (Files.isDirectory(path)) {
        try (Stream<Path> walk = Files.walk(path)) {
          walk.filter(p -> p.toString().endsWith(".class"))
              .map(p -> path.relativize(p.getParent() == null ? p : p.getParent()).toString())
              .map(p -> p.replace(File.separatorChar, '.'))
              .forEach(packages::add);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      } else if (entry.endsWith(".jar") && isSdkJar(path)) {
        try (JarFile jar = new JarFile(path.toFile())) {
          jar.stream()
              .map(e -> e.getName())
              .filter(n -> n.endsWith(".class") && n.contains("/"))
              .map(n -> n.substring(0, n.lastIndexOf('/')).replace('/', '.'))
              .forEach(packages::add);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    StringBuilder out = new StringBuilder();
    for (String p : packages) {
      boolean sdk = p.startsWith("io.github.brazeodp.");
      boolean wanted = JDK_PACKAGES.contains(p) || sdk && !p.contains(".internal");
      if (wanted) {
        out.append("import ").append(p).append(".*;\n");
      }
    }
    out.append("import static org.assertj.core.api.Assertions.*;\n");
    return out.toString();
  }

  private static boolean isSdkJar(Path jar) {
    String name = jar.getFileName().toString();
    return Stream.of("braze-client", "odp-client", "sync-core", "samples")
        .anyMatch(name::startsWith);
  }

  private static JavaFileObject source(String name, String code) {
    return new SimpleJavaFileObject(URI.create("string:///" + name), JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return code;
      }
    };
  }
}
