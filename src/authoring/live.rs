//! [`LiveQualifier`]: swapping the pack in use while leads are being decided.

use std::sync::{PoisonError, RwLock};

use crate::Qualifier;

/// The qualifier currently in use, replaceable at any time, from any thread.
///
/// [`current`](LiveQualifier::current) hands out a clone of the current
/// qualifier (a reference-count increment) and never waits for an
/// evaluation; [`replace`](LiveQualifier::replace) swaps in a new one
/// atomically. An evaluation that started before a swap finishes on the old
/// pack, every one after it uses the new pack, and each decision names the
/// pack that made it (`decision.pack`), so no decision is ever made by a mix.
///
/// ```
/// use leadgate::{Lead, Pack, Qualifier};
/// use leadgate::authoring::LiveQualifier;
///
/// let live = LiveQualifier::new(Qualifier::new(&Pack::b2b_bant())?);
/// let lead = Lead::new("L-1", "2026-11-01T00:00:00Z".parse()?);
/// let as_of = "2026-11-23T00:00:00Z".parse()?;
/// assert_eq!(live.current().evaluate(&lead, as_of)?.pack.name, "b2b-bant");
///
/// // A new pack version arrives: compile it first, then swap.
/// let old = live.replace(Qualifier::new(&Pack::meddic())?);
/// assert_eq!(old.pack().name, "b2b-bant");
/// assert_eq!(live.current().evaluate(&lead, as_of)?.pack.name, "meddic");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct LiveQualifier {
    current: RwLock<Qualifier>,
}

impl LiveQualifier {
    /// Starts with `qualifier`.
    ///
    /// ```
    /// use leadgate::{Pack, Qualifier};
    /// use leadgate::authoring::LiveQualifier;
    /// let live = LiveQualifier::new(Qualifier::new(&Pack::b2b_bant())?);
    /// assert_eq!(live.current().pack().name, "b2b-bant");
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn new(qualifier: Qualifier) -> Self {
        LiveQualifier { current: RwLock::new(qualifier) }
    }

    /// The qualifier in use now; keep it for one batch so the batch is
    /// decided by one pack.
    ///
    /// ```
    /// # use leadgate::{Pack, Qualifier};
    /// # use leadgate::authoring::LiveQualifier;
    /// let live = LiveQualifier::new(Qualifier::new(&Pack::b2b_bant())?);
    /// let for_this_batch = live.current();
    /// live.replace(Qualifier::new(&Pack::meddic())?);
    /// assert_eq!(for_this_batch.pack().name, "b2b-bant"); // the batch keeps its pack
    /// assert_eq!(live.current().pack().name, "meddic"); // the next one gets the new pack
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn current(&self) -> Qualifier {
        // Nothing panics while holding the lock, and a clone is always whole.
        self.current.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Puts `qualifier` in use and returns the one it replaces.
    ///
    /// ```
    /// # use leadgate::{Pack, Qualifier};
    /// # use leadgate::authoring::LiveQualifier;
    /// let live = LiveQualifier::new(Qualifier::new(&Pack::b2b_bant())?);
    /// // The tenant lowers its threshold: same pack, new parameters.
    /// let lower = Qualifier::builder(&Pack::b2b_bant()).param("mql_threshold", 40).build()?;
    /// let old = live.replace(lower.clone());
    /// assert_eq!(old.pack().params_hash, Qualifier::new(&Pack::b2b_bant())?.pack().params_hash);
    /// assert_eq!(live.current().pack(), lower.pack());
    /// # Ok::<(), leadgate::PackError>(())
    /// ```
    pub fn replace(&self, qualifier: Qualifier) -> Qualifier {
        std::mem::replace(&mut *self.current.write().unwrap_or_else(PoisonError::into_inner), qualifier)
    }
}
