"""`dsfill serve` for the process tests of this folder: on 127.0.0.1, a free port, datasets
created by their first fill; and what its SQLite file holds (python3 stdlib only)."""
import signal
import sqlite3
import subprocess

TIMEOUT = 60


class Server:
    def __init__(self, dsfill, db):
        self.db = db
        self.proc = subprocess.Popen(
            [dsfill, "serve", "--db", db, "--listen", "127.0.0.1:0", "--auto-create"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if "listening on " not in line:
            self.stop()
            raise RuntimeError("dsfill serve did not start: %r" % line)
        self.url = line.split("listening on ", 1)[1].strip()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()

    def rows(self, user, dataset):
        """The dataset's stored rows in insertion order, as SQLite returns them ([] if none)."""
        con = sqlite3.connect(self.db)
        try:
            found = con.execute("SELECT table_name FROM datasets WHERE user_code=? AND "
                                "dataset_code=?", (user, dataset)).fetchone()
            if found is None:
                return []
            return [tuple(r) for r in con.execute('SELECT * FROM "%s" ORDER BY rowid' % found[0])]
        finally:
            con.close()

    def dataset(self, user, dataset):
        """(columns_json, completed) of the dataset, or None."""
        con = sqlite3.connect(self.db)
        try:
            return con.execute(
                "SELECT columns_json, completed FROM datasets WHERE user_code=? AND dataset_code=?",
                (user, dataset)).fetchone()
        finally:
            con.close()
