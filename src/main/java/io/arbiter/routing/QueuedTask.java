package io.arbiter.routing;

import io.arbiter.registry.MatchScore;
import java.time.Instant;
import java.util.UUID;

/** A waiting task as the router sees it. */
public record QueuedTask(UUID id, String tenantId, String type, int priority, Instant createdAt, MatchScore.Need need,
                         double minQuality) {}
