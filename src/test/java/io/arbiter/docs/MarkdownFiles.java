package io.arbiter.docs;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The repository's Markdown files that the docs tests read: every {@code .md} outside build output and data. */
final class MarkdownFiles {
  private MarkdownFiles() {}

  private static final Set<String> SKIPPED_DIRECTORIES = Set.of("node_modules", "target", ".git", "data");

  /** The Markdown files under {@code root}, relative to it, sorted. */
  static List<Path> under(Path root) throws IOException {
    List<Path> files = new ArrayList<>();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
        Path name = dir.getFileName();
        return name != null && SKIPPED_DIRECTORIES.contains(name.toString())
            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
        if (file.getFileName().toString().endsWith(".md")) {
          files.add(root.relativize(file));
        }
        return FileVisitResult.CONTINUE;
      }
    });
    files.sort(null);
    return files;
  }
}
