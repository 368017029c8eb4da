package io.arbiter.bench;

import io.arbiter.registry.Capabilities;
import io.arbiter.registry.MatchScore;
import io.arbiter.registry.ModelBaselines;
import io.arbiter.registry.Performance;
import io.arbiter.routing.Arm;
import io.arbiter.routing.ArmTable;
import io.arbiter.routing.Bandit;
import io.arbiter.routing.Candidate;
import io.arbiter.routing.Decision;
import io.arbiter.routing.Planner;
import io.arbiter.routing.QueuedTask;
import io.arbiter.routing.RoutingStrategy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.LongFunction;
import java.util.random.RandomGenerator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The routing simulation: one stream of tasks of several types, routed through {@link Planner#plan} by each strategy
 * in turn, to simulated agents with hidden success rates and qualities per task type. Time runs in discrete steps:
 * each step, finished tasks report their outcome (the agent's {@link Performance} and, for {@code learning}, its arm
 * learn from it), new tasks arrive, and one dispatch plans the waiting tasks over the agents with free slots. Two
 * agents join late and one agent's work gets worse half-way through the stream.
 *
 * <p>Every strategy sees the same stream and the same luck: each task carries its own draws for success and for the
 * noise of its reported quality, so the strategies differ only by where they send the tasks. Figures per strategy,
 * median and range over the seeds: mean reward (success × reported quality, 0 on failure), cumulative regret against
 * the best capable agent present at assignment time (by hidden expected reward, free slot or not), the share of tasks
 * that went to that agent, and the mean wait of a task in steps. A greedy oracle that knows the hidden skills runs on
 * the same stream as a reference for what the agents' capacity allows.
 */
@Command(name = "bench/routing-sim.sh", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Simulated agents with hidden skills: reward, regret and best-agent share per routing strategy.")
public final class RoutingSimulation implements Callable<Integer> {

  private static final String TENANT = "sim";
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final int MAX_DURATION = 4;
  private static final double QUALITY_NOISE = 0.05;
  private static final Map<String, Double> TYPE_MIX = new LinkedHashMap<>();

  static {
    TYPE_MIX.put("code", 0.45);
    TYPE_MIX.put("review", 0.3);
    TYPE_MIX.put("docs", 0.25);
  }

  @Option(names = "--seeds", defaultValue = "7", description = "independent runs per strategy (default: 7)")
  int seeds;

  @Option(names = "--tasks", defaultValue = "6000", description = "tasks per run (default: 6000)")
  int tasks;

  @Option(names = "--arrivals", defaultValue = "3", description = "mean task arrivals per step (default: 3)")
  double arrivals;

  /** A hidden skill at one task type. */
  record Skill(double rate, double quality) {
    double expected() {
      return rate * quality;
    }
  }

  /**
   * A simulated agent. It is present from {@code joinsAt} (a fraction of the stream's arrivals) on, and its skills
   * become {@code later} from {@code changesAt} on (1: never).
   */
  record Agent(String id, String family, int capacity, Map<String, Skill> skills, double joinsAt,
               Map<String, Skill> later, double changesAt) {
    Skill skill(String type, double when) {
      return when >= changesAt && later.containsKey(type) ? later.get(type) : skills.get(type);
    }
  }

  static final List<Agent> POPULATION = List.of(
      new Agent("claude-a", "claude", 3, Map.of("code", new Skill(0.85, 0.85), "review", new Skill(0.8, 0.8)), 0,
          Map.of(), 1),
      new Agent("gpt-b", "gpt", 3, Map.of("code", new Skill(0.7, 0.75), "docs", new Skill(0.85, 0.8)), 0, Map.of(), 1),
      new Agent("llama-c", "llama", 4, Map.of("code", new Skill(0.5, 0.6), "review", new Skill(0.55, 0.6),
          "docs", new Skill(0.6, 0.6)), 0, Map.of(), 1),
      new Agent("script-d", "script", 4, Map.of("code", new Skill(0.95, 0.35)), 0, Map.of(), 1),
      new Agent("gemini-e", "gemini", 3, Map.of("review", new Skill(0.9, 0.9), "docs", new Skill(0.75, 0.7)), 0,
          Map.of("review", new Skill(0.4, 0.5), "docs", new Skill(0.4, 0.5)), 0.5),
      new Agent("deepseek-f", "deepseek", 3, Map.of("code", new Skill(0.95, 0.92), "review", new Skill(0.7, 0.7)),
          1 / 3.0, Map.of(), 1),
      new Agent("qwen-g", "qwen", 2, Map.of("docs", new Skill(0.95, 0.95)), 0.4, Map.of(), 1));

  /** One task of the stream, with its own luck: success if {@code luck} is below the rate; quality noise. */
  record Job(int index, String type, int arrival, int duration, double luck, double noise) {}

  /** What one run of one strategy measured. */
  record Result(double meanReward, double regret, double bestShare, double meanWait) {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new RoutingSimulation()).execute(args));
  }

  @Override
  public Integer call() {
    if (seeds < 1 || tasks < 1 || !(arrivals > 0)) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--seeds and --tasks must be at least 1, --arrivals above 0");
    }
    long started = System.nanoTime();
    Map<String, LongFunction<Router>> strategies = new LinkedHashMap<>();
    strategies.put("learning", seed -> {
      RandomGenerator draws = new SplittableRandom(seed * 1_000_003 + 1);
      return (arms, when) -> RoutingStrategy.learning(arms, Bandit.Settings.DEFAULTS, draws);
    });
    strategies.put("capability", seed -> (arms, when) -> RoutingStrategy.capability());
    strategies.put("least-loaded", seed -> (arms, when) -> RoutingStrategy.leastLoaded());
    strategies.put("random", seed -> {
      RoutingStrategy uniform = new UniformStrategy(new SplittableRandom(seed * 1_000_003 + 2));
      return (arms, when) -> uniform;
    });
    strategies.put("(oracle)", seed -> (arms, when) -> new OracleStrategy(when));

    System.out.printf(Locale.ROOT, "routing simulation: %d tasks per run, %d seeds, %.1f arrivals per step, "
            + "durations 1-%d steps; task mix %s%n", tasks, seeds, arrivals, MAX_DURATION, TYPE_MIX);
    printPopulation();

    Map<String, List<Result>> results = new LinkedHashMap<>();
    for (long seed = 1; seed <= seeds; seed++) {
      List<Job> stream = stream(seed, tasks, arrivals);
      for (Map.Entry<String, LongFunction<Router>> strategy : strategies.entrySet()) {
        results.computeIfAbsent(strategy.getKey(), k -> new ArrayList<>())
            .add(run(strategy.getKey(), strategy.getValue().apply(seed), stream));
      }
    }

    System.out.printf("%nmedian [min-max] over %d seeds%n", seeds);
    System.out.printf("%-13s %-24s %-28s %-24s %-22s%n", "strategy", "mean reward", "cumulative regret",
        "best-agent share", "mean wait (steps)");
    results.forEach((name, runs) -> System.out.printf("%-13s %-24s %-28s %-24s %-22s%n", name,
        spread(runs.stream().mapToDouble(Result::meanReward).toArray(), "%.3f"),
        spread(runs.stream().mapToDouble(Result::regret).toArray(), "%.1f"),
        spread(runs.stream().mapToDouble(Result::bestShare).toArray(), "%.3f"),
        spread(runs.stream().mapToDouble(Result::meanWait).toArray(), "%.2f")));
    System.out.println("(oracle) is a reference, not a strategy: it knows the hidden skills and sends each task to the"
        + " best capable agent with a free slot; its regret is roughly what capacity alone forces");
    System.out.printf(Locale.ROOT, "learning: Thompson sampling with Bandit.Settings.DEFAULTS %s%n",
        Bandit.Settings.DEFAULTS);
    System.out.println("regret: sum over tasks of (best expected reward - chosen agent's expected reward), the best "
        + "being the capable agent present at assignment time with the highest hidden success rate x quality, "
        + "free slot or not");
    System.out.printf(Locale.ROOT, "ran in %.1f s%n", (System.nanoTime() - started) / 1e9);
    return 0;
  }

  private static void printPopulation() {
    System.out.println("agents (hidden expected reward = success rate x quality, per task type):");
    for (Agent agent : POPULATION) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-11s cap %d  prior %.2f ", agent.id(),
          agent.capacity(), ModelBaselines.of(agent.family()).successRate()));
      for (String type : TYPE_MIX.keySet()) {
        Skill skill = agent.skills().get(type);
        line.append(String.format(Locale.ROOT, " %-6s %s", type, skill == null ? "  -  "
            : String.format(Locale.ROOT, "%.3f", skill.expected())));
        if (skill != null && agent.later().containsKey(type)) {
          line.append(String.format(Locale.ROOT, "->%.3f", agent.later().get(type).expected()));
        }
      }
      if (agent.joinsAt() > 0) {
        line.append(String.format(Locale.ROOT, "  joins at %.0f %%", agent.joinsAt() * 100));
      }
      if (agent.changesAt() < 1) {
        line.append(String.format(Locale.ROOT, "  worse from %.0f %%", agent.changesAt() * 100));
      }
      System.out.println(line);
    }
  }

  static List<Job> stream(long seed, int tasks, double arrivals) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Job> jobs = new ArrayList<>(tasks);
    int step = 0;
    double due = 0;
    for (int i = 0; i < tasks; i++) {
      due += -Math.log(1 - random.nextDouble()) / arrivals;
      step = (int) due;
      double u = random.nextDouble();
      String type = null;
      for (Map.Entry<String, Double> mix : TYPE_MIX.entrySet()) {
        type = mix.getKey();
        u -= mix.getValue();
        if (u < 0) {
          break;
        }
      }
      jobs.add(new Job(i, type, step, 1 + random.nextInt(MAX_DURATION), random.nextDouble(),
          random.nextGaussian() * QUALITY_NOISE));
    }
    return jobs;
  }

  /** The strategy of one dispatch, given what has been learned so far and the time (a fraction of the stream). */
  private interface Router {
    RoutingStrategy at(ArmTable arms, double when);
  }

  /** A task in flight: who has it, its expected reward when assigned, and when it finishes. */
  private record Running(Job job, Agent agent, double when, int finishes) {}

  private static Result run(String name, Router router, List<Job> stream) {
    int lastArrival = stream.get(stream.size() - 1).arrival();
    Map<String, Agent> byId = new LinkedHashMap<>();
    POPULATION.forEach(a -> byId.put(a.id(), a));
    Map<String, Performance> performance = new HashMap<>();
    POPULATION.forEach(a -> performance.put(a.id(), ModelBaselines.of(a.family()).performance()));
    Map<String, Integer> load = new HashMap<>();
    Map<ArmTable.Key, Arm> arms = new HashMap<>();
    Map<UUID, Job> waiting = new LinkedHashMap<>();
    List<Running> running = new ArrayList<>();
    Set<UUID> assigned = new HashSet<>();

    double rewardSum = 0;
    double regret = 0;
    long best = 0;
    long waited = 0;
    int done = 0;
    int next = 0;
    for (int step = 0; done < stream.size(); step++) {
      for (var it = running.iterator(); it.hasNext(); ) {
        Running r = it.next();
        if (r.finishes() > step) {
          continue;
        }
        it.remove();
        Skill skill = r.agent().skill(r.job().type(), r.when());
        boolean succeeded = r.job().luck() < skill.rate();
        Double quality = succeeded ? Math.max(0, Math.min(1, skill.quality() + r.job().noise())) : null;
        double reward = Arm.reward(succeeded, quality);
        rewardSum += reward;
        Performance before = performance.get(r.agent().id());
        performance.put(r.agent().id(), learn(before, succeeded, quality));
        ArmTable.Key key = new ArmTable.Key(TENANT, r.job().type(), r.agent().id());
        Arm arm = arms.getOrDefault(key, Arm.prior(before.successRate()));
        arms.put(key, arm.updated(reward, Bandit.Settings.DEFAULTS.discount()));
        load.merge(r.agent().id(), -1, Integer::sum);
        done++;
      }
      while (next < stream.size() && stream.get(next).arrival() <= step) {
        waiting.put(new UUID(0, next), stream.get(next));
        next++;
      }
      if (waiting.isEmpty()) {
        continue;
      }
      double when = lastArrival == 0 ? 1 : Math.min(1, step / (double) lastArrival);
      List<Candidate> candidates = new ArrayList<>();
      for (Agent agent : POPULATION) {
        if (when >= agent.joinsAt()) {
          candidates.add(new Candidate(TENANT, agent.id(), new Capabilities(List.copyOf(agent.skills().keySet()),
              List.of(), List.of()), agent.capacity(), load.getOrDefault(agent.id(), 0),
              performance.get(agent.id())));
        }
      }
      List<QueuedTask> queued = new ArrayList<>(waiting.size());
      waiting.forEach((id, job) -> queued.add(new QueuedTask(id, TENANT, job.type(), 5,
          T0.plusSeconds(job.arrival()).plusNanos(job.index()), new MatchScore.Need(job.type(), null, null), 0)));
      for (Planner.Assignment assignment : Planner.plan(queued, candidates, router.at(ArmTable.of(arms), when))) {
        Job job = waiting.remove(assignment.task().id());
        if (!assigned.add(assignment.task().id())) {
          throw new IllegalStateException(name + " assigned a task twice");
        }
        Agent chosen = byId.get(assignment.decision().agentId());
        double top = 0;
        String topId = null;
        for (Candidate c : candidates) {
          Skill skill = byId.get(c.agentId()).skill(job.type(), when);
          if (skill != null && (topId == null || skill.expected() > top)) {
            top = skill.expected();
            topId = c.agentId();
          }
        }
        regret += top - chosen.skill(job.type(), when).expected();
        best += chosen.id().equals(topId) ? 1 : 0;
        waited += step - job.arrival();
        load.merge(chosen.id(), 1, Integer::sum);
        running.add(new Running(job, chosen, when, step + job.duration()));
      }
    }
    int n = stream.size();
    return new Result(rewardSum / n, regret, best / (double) n, waited / (double) n);
  }

  /** The server's incremental update of an agent's figures on a result (see TaskSql). */
  private static Performance learn(Performance p, boolean succeeded, Double quality) {
    double n = p.taskCount() + 2;
    return new Performance(p.successRate() + ((succeeded ? 1 : 0) - p.successRate()) / n,
        quality == null ? p.averageQuality() : p.averageQuality() + (quality - p.averageQuality()) / n,
        p.averageLatencyMs(), p.taskCount() + 1);
  }

  private static String spread(double[] values, String format) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    return String.format(Locale.ROOT, format + " [" + format + "-" + format + "]", median, sorted[0],
        sorted[sorted.length - 1]);
  }

  /** The capable agent with a free slot and the best hidden expected reward: what capacity alone allows. */
  private record OracleStrategy(double when) implements RoutingStrategy {
    @Override
    public String name() {
      return "oracle";
    }

    @Override
    public Optional<Decision> choose(QueuedTask task, List<Scored> capable) {
      Scored pick = capable.stream()
          .max(Comparator.comparingDouble(s -> skill(s.candidate().agentId(), task.type()).expected()))
          .orElseThrow();
      return Optional.of(new Decision(pick.candidate().agentId(), name(), pick.score(), 1.0, List.of(),
          "best hidden expected reward with a free slot", null));
    }

    private Skill skill(String agentId, String type) {
      return POPULATION.stream().filter(a -> a.id().equals(agentId)).findFirst().orElseThrow().skill(type, when);
    }
  }

  /** A uniformly random capable agent: the baseline a strategy has to beat. */
  private record UniformStrategy(RandomGenerator random) implements RoutingStrategy {
    @Override
    public String name() {
      return "random";
    }

    @Override
    public Optional<Decision> choose(QueuedTask task, List<Scored> capable) {
      Scored pick = capable.get(random.nextInt(capable.size()));
      return Optional.of(new Decision(pick.candidate().agentId(), name(), pick.score(), 1.0 / capable.size(),
          List.of(), "uniformly random among %d capable agents".formatted(capable.size()), null));
    }
  }
}
