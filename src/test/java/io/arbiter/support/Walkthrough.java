package io.arbiter.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The README's walkthrough, between {@code <!-- walkthrough:start -->} and {@code <!-- walkthrough:end -->}: each
 * {@code ```bash} block is one step, and the {@code ```json} block right after it, if any, is what the step prints
 * (in {@link ExpectedJson}'s terms); a {@code ```text} block instead is printed text, where {@code …} stands for any
 * text. A step without either prints nothing.
 */
public record Walkthrough(List<Step> steps) {

  /** Printed by {@link #script} after each step, on a line of its own. */
  public static final String STEP_END = "<<<walkthrough step end>>>";

  /** One command block and the output the README shows for it ({@code ""} when none), JSON unless {@code text}. */
  public record Step(String commands, String expected, boolean text) {

    /** The step's first line, its numbered comment. */
    public String title() {
      return commands.lines().findFirst().orElse("");
    }

    public List<Object> expectedValues() {
      return ExpectedJson.values(expected);
    }

    /** Whether {@code printed} is the expected text, {@code …} matching any text. */
    public boolean printsText(String printed) {
      String pattern = Arrays.stream(expected.strip().split("…", -1)).map(Pattern::quote)
          .collect(Collectors.joining(".*"));
      return Pattern.compile(pattern, Pattern.DOTALL).matcher(printed.strip()).matches();
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
          steps.add(new Step(block.toString(), "", false));
        } else if (fence.equals("json") || fence.equals("text")) {
          if (steps.isEmpty() || !steps.get(steps.size() - 1).expected().isEmpty()) {
            throw new IllegalStateException("an output block that follows no command block:\n" + block);
          }
          Step last = steps.remove(steps.size() - 1);
          steps.add(new Step(last.commands(), block.toString(), fence.equals("text")));
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
