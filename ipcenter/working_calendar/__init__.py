"""The working calendar kept by the center: each year's official schedule of holidays and make-up working days,
entered or imported by managers. `ipcenter.calendar` counts deadlines on it."""
