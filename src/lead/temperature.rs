//! Temperature and grade: the two one-word summaries of a lead.

use super::keyword::keyword_enum;

keyword_enum! {
    /// How ready a lead is to talk to sales.
    ///
    /// *Cold*: no awareness or opinion yet (marketing's job). *Warm*: has seen
    /// the messaging and shows interest (nurture, or a first sales contact).
    /// *Hot*: ready to talk to a sales rep.
    ///
    /// ```
    /// use leadgate::Temperature;
    /// assert!(Temperature::Cold < Temperature::Hot);
    /// assert_eq!("warm".parse::<Temperature>()?, Temperature::Warm);
    /// assert_eq!(Temperature::Hot.to_string(), "hot");
    /// # Ok::<(), leadgate::lead::ValueError>(())
    /// ```
    pub enum Temperature as "temperature" {
        /// No awareness or interest yet.
        Cold = "cold",
        /// Some interest.
        Warm = "warm",
        /// Ready for sales.
        Hot = "hot",
    }
}

keyword_enum! {
    /// A fit grade, A (best) to F, as CRMs show demographic and firmographic
    /// fit. Grades are written in upper case, in JSON and in text alike.
    ///
    /// ```
    /// use leadgate::Grade;
    /// assert!(Grade::A < Grade::F);
    /// assert_eq!(serde_json::to_string(&Grade::B)?, "\"B\"");
    /// assert_eq!("C".parse::<Grade>(), Ok(Grade::C));
    /// assert!("c".parse::<Grade>().is_err());
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub enum Grade as "grade" {
        /// Ideal customer profile.
        A = "A",
        /// Good fit.
        B = "B",
        /// Average fit.
        C = "C",
        /// Poor fit.
        D = "D",
        /// Not a fit.
        F = "F",
    }
}
