-- Room on each page of tasks for the versions its updates write. A task's row is inserted once and updated at least
-- three times (assigned, running, finished), and no update of its state is heap-only (the state decides the partial
-- indexes a version enters). On a full page each new version moved to another page, and PostgreSQL first locks the
-- old version with a WAL record of its own so that it can release the page while it finds room elsewhere: two such
-- records per task in bulk mode, besides the extension of the table for the moved versions. Pages filled by inserts
-- to half leave the rest to the updates of the same rows, whose dead versions are pruned in place.
ALTER TABLE tasks SET (fillfactor = 50);
