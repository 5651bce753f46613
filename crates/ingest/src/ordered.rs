//! An ordered parallel map over batches of source records: one reader thread fills batches,
//! worker threads turn them into results, and the calling thread consumes the results in the
//! order the reader produced them.
//!
//! Batches go to workers round robin and results are collected in the same rotation, so order
//! needs no reorder buffer. Emptied batches return to the reader, so in steady state nothing is
//! allocated per batch and a record's buffers are freed on the thread that allocated them.
//! Every channel is bounded, so memory is `batches_in_flight × batch size` whatever the input.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// What the reader hands a worker: a filled batch, or the error that ended reading. The error
/// travels in order, so everything read before it is still consumed first.
enum Work<B, E> {
    Batch(B),
    Failed(E),
}

/// Runs `fill` on a reader thread, `work` on one thread per entry of `states`, and `consume`
/// on the calling thread, in source order.
///
/// `fill` fills a cleared batch and returns whether more may follow; a batch it leaves empty
/// is not sent. The first error from any stage stops the others and is returned.
pub(crate) fn map_in_order<B, S, O, E>(
    states: Vec<S>,
    fill: impl FnMut(&mut B) -> Result<bool, E> + Send,
    work: impl Fn(&mut S, &B) -> Result<O, E> + Sync,
    mut consume: impl FnMut(O) -> Result<(), E>,
) -> Result<(), E>
where
    B: Batch + Send,
    S: Send,
    O: Send,
    E: Send,
{
    assert!(!states.is_empty(), "map_in_order needs at least one worker");
    let workers = states.len();
    // Two batches per worker keep every worker busy while the reader fills the next one.
    let in_flight = 2 * workers + 2;
    let (free_tx, free_rx) = sync_channel::<B>(in_flight);
    let mut to_workers = Vec::with_capacity(workers);
    let mut from_workers = Vec::with_capacity(workers);
    std::thread::scope(|scope| {
        for mut state in states {
            let (work_tx, work_rx) = sync_channel::<Work<B, E>>(1);
            let (done_tx, done_rx) = sync_channel::<Result<O, E>>(1);
            to_workers.push(work_tx);
            from_workers.push(done_rx);
            let free_tx = free_tx.clone();
            let work = &work;
            scope.spawn(move || worker(&mut state, work_rx, done_tx, free_tx, work));
        }
        drop(free_tx);
        scope.spawn(move || reader(fill, to_workers, free_rx, in_flight));
        collect(from_workers, &mut consume)
    })
}

fn reader<B: Batch, E>(
    mut fill: impl FnMut(&mut B) -> Result<bool, E>,
    to_workers: Vec<SyncSender<Work<B, E>>>,
    free: Receiver<B>,
    in_flight: usize,
) {
    let mut created = 0;
    let mut spare: Option<B> = None;
    let mut turn = 0;
    loop {
        let mut batch = if let Some(b) = spare.take() {
            b
        } else if created < in_flight {
            created += 1;
            B::default()
        } else {
            match free.recv() {
                Ok(b) => b,
                // Every worker has gone: the consumer stopped early.
                Err(_) => return,
            }
        };
        batch.clear();
        let filled = fill(&mut batch);
        if let Ok(more) = filled {
            if batch.is_empty() {
                if !more {
                    return;
                }
                spare = Some(batch);
                continue;
            }
        }
        // Only sent work takes a turn: the consumer follows the same rotation.
        let to = &to_workers[turn % to_workers.len()];
        turn += 1;
        match filled {
            Ok(more) => {
                if to.send(Work::Batch(batch)).is_err() || !more {
                    return;
                }
            }
            Err(e) => {
                let _ = to.send(Work::Failed(e));
                return;
            }
        }
    }
}

fn worker<B, S, O, E>(
    state: &mut S,
    work_rx: Receiver<Work<B, E>>,
    done_tx: SyncSender<Result<O, E>>,
    free_tx: SyncSender<B>,
    work: &(impl Fn(&mut S, &B) -> Result<O, E> + Sync),
) {
    for item in work_rx {
        let result = match item {
            Work::Batch(batch) => {
                let result = work(state, &batch);
                // The pool holds every batch ever created, so this never blocks; it fails
                // only when the reader has finished, and then the batch is simply freed.
                let _ = free_tx.try_send(batch);
                result
            }
            Work::Failed(e) => Err(e),
        };
        let failed = result.is_err();
        if done_tx.send(result).is_err() || failed {
            return;
        }
    }
}

fn collect<O, E>(
    from_workers: Vec<Receiver<Result<O, E>>>,
    consume: &mut impl FnMut(O) -> Result<(), E>,
) -> Result<(), E> {
    // Receivers drop when this returns, so on an early error the workers' next send fails,
    // they stop, and the reader's next send fails too.
    for turn in 0.. {
        match from_workers[turn % from_workers.len()].recv() {
            Ok(result) => consume(result?)?,
            // That worker has finished, so batch `turn` was never read: the source is done.
            Err(_) => return Ok(()),
        }
    }
    unreachable!("the loop above only ends by returning")
}

/// A reusable container of source records.
pub(crate) trait Batch: Default {
    fn clear(&mut self);
    fn is_empty(&self) -> bool;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Numbers(Vec<u64>);

    impl Batch for Numbers {
        fn clear(&mut self) {
            self.0.clear();
        }
        fn is_empty(&self) -> bool {
            self.0.is_empty()
        }
    }

    fn count_to(limit: u64, per_batch: u64) -> impl FnMut(&mut Numbers) -> Result<bool, String> + Send {
        let mut next = 0;
        move |batch: &mut Numbers| {
            while next < limit && (batch.0.len() as u64) < per_batch {
                batch.0.push(next);
                next += 1;
            }
            Ok(next < limit)
        }
    }

    #[test]
    fn results_arrive_in_source_order_whatever_the_worker_count() {
        for workers in [1, 2, 3, 7] {
            let mut seen = Vec::new();
            map_in_order(
                vec![(); workers],
                count_to(10_001, 64),
                |_, b: &Numbers| Ok::<_, String>(b.0.iter().map(|n| n * 2).collect::<Vec<_>>()),
                |out| {
                    seen.extend(out);
                    Ok(())
                },
            )
            .unwrap();
            assert_eq!(seen, (0..10_001).map(|n| n * 2).collect::<Vec<_>>(), "{workers} workers");
        }
    }

    #[test]
    fn an_empty_source_consumes_nothing() {
        let mut calls = 0;
        map_in_order(
            vec![(), ()],
            count_to(0, 8),
            |_, _: &Numbers| Ok::<_, String>(()),
            |_| {
                calls += 1;
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(calls, 0);
    }

    #[test]
    fn a_read_error_comes_after_everything_read_before_it() {
        let mut next = 0;
        let fill = move |b: &mut Numbers| {
            if next == 5 {
                return Err("disk gone".to_string());
            }
            b.0.push(next);
            next += 1;
            Ok(true)
        };
        let mut seen = Vec::new();
        let result = map_in_order(
            vec![(), (), ()],
            fill,
            |_, b: &Numbers| Ok(b.0[0]),
            |n| {
                seen.push(n);
                Ok(())
            },
        );
        assert_eq!(result, Err("disk gone".to_string()));
        assert_eq!(seen, vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn a_worker_or_consumer_error_stops_an_endless_source() {
        let endless = |b: &mut Numbers| {
            b.0.push(1);
            Ok(true)
        };
        let worker_fails = map_in_order(
            vec![0_u32, 0],
            endless,
            |done, _: &Numbers| {
                *done += 1;
                if *done == 100 {
                    Err("bad record".to_string())
                } else {
                    Ok(())
                }
            },
            |_| Ok(()),
        );
        assert_eq!(worker_fails, Err("bad record".to_string()));
        let mut consumed = 0;
        let consumer_fails = map_in_order(
            vec![(), ()],
            endless,
            |_, _: &Numbers| Ok(()),
            |_| {
                consumed += 1;
                if consumed == 50 {
                    Err("disk full".to_string())
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!(consumer_fails, Err("disk full".to_string()));
    }
}
