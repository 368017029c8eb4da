package io.arbiter.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The README's walkthrough, between {@code <!-- walkthrough:start -->} and {@code <!-- walkthrough:end -->}: each
 * {@code ```bash} block is one step, and the {@code ```json} block right after it, if any, is what the step prints
 * (in {@link ExpectedJson}'s terms). A step without one prints nothing.
 */
public record Walkthrough(List<Step> steps) {

  /** Printed by {@link #script} after each step, on a line of its own. */
  public static final String STEP_END = "<<<walkthrough step end>>>";

  /** One command block and the output the README shows for it ({@code ""} when none). */
  public record Step(String commands, String expected) {

    /** The step's first line, its numbered comment. */
    public String title() {
      return commands.lines().findFirst().orElse("");
    }

    public List<Object> expectedValues() {
      return ExpectedJson.values(expected);
    }
  }

  public static Walkthrough fromReadme(Path readme) throws IOException {
    String text = Files.readString(readme);
    int start = text.indexOf("<!-- walkthrough:start -->");
    int end = text.indexOf("<!-- walkthrough:end -->");
    if (start < 0 || end < start) {
      throw new IllegalStateException(readme + " has no walkthrough markers");
    }
    List<Step> steps = new ArrayList<>();
    String fence = null;
    StringBuilder block = new StringBuilder();
    for (String line : text.substring(start, end).split("\n", -1)) {
      if (fence == null && line.startsWith("```")) {
        fence = line.substring(3).strip();
        block.setLength(0);
      } else if (fence != null && line.strip().equals("```")) {
        if (fence.equals("bash")) {
          steps.add(new Step(block.toString(), ""));
        } else if (fence.equals("json")) {
          if (steps.isEmpty() || !steps.get(steps.size() - 1).expected().isEmpty()) {
            throw new IllegalStateException("a json block that follows no command block:\n" + block);
          }
          Step last = steps.remove(steps.size() - 1);
          steps.add(new Step(last.commands(), block.toString()));
        }
        fence = null;
      } else if (fence != null) {
        block.append(line).append('\n');
      }
    }
    return new Walkthrough(List.copyOf(steps));
  }

  /** One bash script of every step, each followed by a line {@link #STEP_END}; {@code localhost:8080} moved to port. */
  public String script(int port) {
    StringBuilder script = new StringBuilder();
    for (Step step : steps) {
      script.append(step.commands()).append("printf '\\n%s\\n' '").append(STEP_END).append("'\n");
    }
    return script.toString().replace("localhost:8080", "localhost:" + port);
  }

  /** A script's output cut at each {@link #STEP_END}: what each step printed. */
  public static List<String> outputs(String output) {
    List<String> outputs = new ArrayList<>(List.of(output.split("\n" + STEP_END + "\n", -1)));
    if (!outputs.isEmpty() && outputs.get(outputs.size() - 1).isBlank()) {
      outputs.remove(outputs.size() - 1);
    }
    return outputs;
  }
}
