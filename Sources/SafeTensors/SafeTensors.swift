// SafeTensors: see the module's files.
